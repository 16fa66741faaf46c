/* Footprint: libtwin-mqtt's Sparkplug B codec alone. Encodes a DDATA of
 * four Double metrics by alias, decodes it back into a metric array and
 * parses and builds its topic; no output. Its size minus fw_empty's is the
 * flash cost of the hand-written codec (and of what it needs from the C
 * library). */
#include "board.h"

#include <string.h>
#include <twin/sparkplug.h>

int main(void);

static unsigned char payload[256];

int main(void)
{
    twin_sp_payload p, q;
    twin_sp_metric m[4], out[4];
    twin_sp_topic t;
    char topic[64];
    size_t len = 0;
    memset(&p, 0, sizeof p);
    memset(m, 0, sizeof m);
    p.flags = TWIN_SP_PAYLOAD_HAS_TIMESTAMP | TWIN_SP_PAYLOAD_HAS_SEQ;
    p.timestamp = 1700000000000ull;
    p.seq = 7;
    for (unsigned i = 0; i < 4; i++) {
        m[i].flags = TWIN_SP_HAS_ALIAS | TWIN_SP_HAS_TIMESTAMP;
        m[i].alias = i + 1;
        m[i].timestamp = p.timestamp;
        m[i].field = TWIN_SP_FIELD_DOUBLE;
        m[i].value.d = 0.5 * i;
    }
    if (twin_sp_encode(&p, m, 4, payload, sizeof payload, &len) != TWIN_OK)
        return 1;
    if (twin_sp_decode(payload, len, &q, out, 4, NULL) != TWIN_OK || q.metric_count != 4 ||
        twin_sp_metric_apply_type(&out[3], TWIN_SP_DOUBLE) != TWIN_OK || out[3].value.d != 1.5)
        return 2;
    if (twin_sp_topic_build(topic, sizeof topic, NULL, TWIN_SP_DDATA, "G", "N", "motor%2F1") !=
            TWIN_OK ||
        twin_sp_topic_parse(topic, strlen(topic), &t) != TWIN_OK || t.type != TWIN_SP_DDATA)
        return 3;
    return 0;
}
