// The factory example in C++17: libtwin's C headers used as they are, with
// the RAII wrappers a C++ host would write for itself (they live here, in
// the example, not in the library).
#include <twin/twin.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// A failed call becomes an exception carrying the handle's message.
class twin_error_exception : public std::runtime_error {
public:
    twin_error_exception(twin_status s, const std::string &what)
        : std::runtime_error(what + ": " + twin_strerror(s)), status(s) {}
    twin_status status;
};

void check(twin_status s, const twin_error *e)
{
    if (s < 0) throw twin_error_exception(s, e && e->message[0] ? e->message : "libtwin");
}

struct models_deleter {
    void operator()(twin_models *m) const { twin_models_destroy(m); }
};
struct graph_deleter {
    void operator()(twin_graph *g) const { twin_graph_destroy(g); }
};
struct impact_deleter {
    void operator()(twin_impact *q) const { twin_impact_destroy(q); }
};

// A resolved DTDL model set; graphs validated by it borrow it.
class Models {
public:
    explicit Models(const std::string &json)
    {
        twin_models *m = nullptr;
        check(twin_models_create(&m, nullptr), nullptr);
        m_.reset(m);
        twin_status s = twin_models_add(m, json.data(), json.size(), "factory models");
        if (s == TWIN_OK) s = twin_models_resolve(m);
        if (s < 0) {
            std::string all;
            for (std::size_t i = 0; i < twin_models_diag_count(m); i++) {
                const twin_dtdl_diag *d = twin_models_diag(m, i);
                all += std::string(d->code) + " at " + d->pointer + ": " + d->message + "\n";
            }
            throw twin_error_exception(s, all);
        }
        v_.size = sizeof v_;
        check(twin_models_validator(m, TWIN_MODELS_CHECK_ALL, &v_), nullptr);
    }
    const twin_graph_validator *validator() const { return &v_; }
    const twin_dtdl_elem *find(const char *dtmi) const { return twin_models_find(m_.get(), dtmi); }

private:
    std::unique_ptr<twin_models, models_deleter> m_;
    twin_graph_validator v_{};
};

class Graph {
public:
    explicit Graph(const Models *models = nullptr)
    {
        twin_graph_options o;
        twin_graph_options_init(&o);
        if (models) o.validator = models->validator();
        twin_graph *g = nullptr;
        check(twin_graph_create(&g, &o), nullptr);
        g_.reset(g);
    }
    void add_twin(const char *id, const char *model)
    {
        check(twin_graph_add_twin(g_.get(), id, model, nullptr, 0), err());
    }
    void relate(const char *src, const char *rel_id, const char *name, const char *dst)
    {
        check(twin_graph_add_relationship(g_.get(), src, rel_id, name, dst, nullptr, 0), err());
    }
    void set(const char *id, const char *name, twin_value v)
    {
        check(twin_graph_set_property(g_.get(), id, name, &v), err());
    }
    void optimize() { check(twin_graph_optimize(g_.get()), err()); }
    std::size_t size() const { return twin_graph_twin_count(g_.get()); }
    const twin_graph *get() const { return g_.get(); }

private:
    const twin_error *err() const { return twin_graph_last_error(g_.get()); }
    std::unique_ptr<twin_graph, graph_deleter> g_;
};

struct Hit {
    std::string twin, via;
    unsigned depth;
    double score;
};

// One traversal context; it borrows the graph, which must outlive it.
class Impact {
public:
    explicit Impact(const Graph &g)
    {
        twin_impact *q = nullptr;
        check(twin_impact_create(&q, g.get(), nullptr), nullptr);
        q_.reset(q);
    }
    std::vector<Hit> run(const char *root, const std::vector<twin_impact_follow> &follow,
                         double root_health)
    {
        twin_impact_options o;
        twin_impact_options_init(&o);
        o.follow = follow.data();
        o.nfollow = follow.size();
        o.root_health = root_health;
        o.rule = TWIN_IMPACT_ATTENUATE;
        o.attenuation = 0.8;
        check(twin_impact_run(q_.get(), &root, 1, &o, nullptr, nullptr),
              twin_impact_last_error(q_.get()));
        std::vector<Hit> hits;
        for (std::size_t i = 0; i < twin_impact_count(q_.get()); i++) {
            twin_impact_hit h{};
            h.size = sizeof h;
            check(twin_impact_get(q_.get(), i, &h), twin_impact_last_error(q_.get()));
            hits.push_back({h.twin_id, h.via_name ? h.via_name : "", h.depth, h.score});
        }
        return hits;
    }

private:
    std::unique_ptr<twin_impact, impact_deleter> q_;
};

} // namespace

// The factory's models, DTDL v3 (the motor's rated power is a double).
const char *const factory_models = R"([
 {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:factory:Motor;1", "@type": "Interface",
  "contents": [{"@type": "Property", "name": "ratedPowerKW", "schema": "double"},
               {"@type": "Relationship", "name": "partOf", "target": "dtmi:factory:Conveyor;1"}]},
 {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:factory:Conveyor;1", "@type": "Interface",
  "contents": [{"@type": "Relationship", "name": "feeds"}]}
])";

// Twins typed by the models: a motor with a rated power that is not a
// number is refused, with the reason.
int typed_twins()
{
    Models models(factory_models);
    Graph g(&models);
    g.add_twin("conveyor-C", "dtmi:factory:Conveyor;1");
    g.add_twin("motor-C", "dtmi:factory:Motor;1");
    g.relate("motor-C", "drives", "partOf", "conveyor-C");
    g.set("motor-C", "ratedPowerKW", twin_value_double(7.5));
    try {
        g.set("motor-C", "ratedPowerKW", twin_value_string("seven"));
    } catch (const twin_error_exception &e) {
        std::printf("models refuse it: %s\n", e.what());
        return e.status == TWIN_E_CONSTRAINT ? 0 : 1;
    }
    return 1;
}

// The seed's bearing: 0.12 G growing 0.3% a day; days to the 0.5 G alarm.
int bearing_health()
{
    const double day = 86400.0;
    twin_health_options o;
    twin_health h;
    twin_error err;
    double seconds = 0;
    twin_health_options_init(&o);
    o.prior_mean[0] = std::log(0.12);
    o.prior_mean[1] = 0.003 / day;
    o.prior_cov[0] = 1e-10;
    o.prior_cov[3] = 1e-10 * (0.003 / day) * (0.003 / day);
    check(twin_health_init(&h, &o, 0, &err), &err);
    check(twin_health_get_time_to(&h, &o, 0.5, &seconds, &err), &err);
    std::printf("bearing: %.1f days to the 0.5 G alarm\n", seconds / day);
    return std::fabs(seconds / day - std::log(0.5 / 0.12) / 0.003) < 1e-6 ? 0 : 1;
}

int main()
{
    try {
        if (typed_twins() != 0 || bearing_health() != 0) return 1;
        Graph g;
        g.add_twin("welding-robot", "dtmi:factory:Robot;1");
        g.add_twin("station-4", "dtmi:factory:Station;1");
        g.add_twin("conveyor-C", "dtmi:factory:Conveyor;1");
        g.add_twin("motor-C", "dtmi:factory:Motor;1");
        g.add_twin("inspection-zone-2", "dtmi:factory:InspectionZone;1");
        g.add_twin("conveyor-B", "dtmi:factory:Conveyor;1");
        g.relate("welding-robot", "loc", "locatedIn", "station-4");
        g.relate("station-4", "on", "partOf", "conveyor-C");
        g.relate("motor-C", "drives", "partOf", "conveyor-C");
        g.relate("conveyor-C", "out", "feeds", "inspection-zone-2");
        g.relate("conveyor-B", "out", "feeds", "conveyor-C");
        g.set("motor-C", "ratedPowerKW", twin_value_double(7.5));
        g.optimize();

        // Everything the motor's conveyor carries and feeds; nothing upstream.
        Impact impact(g);
        std::vector<twin_impact_follow> follow = {
            {"partOf", TWIN_DIRECTION_BOTH, 0},
            {"feeds", TWIN_DIRECTION_OUTGOING, 0},
            {"locatedIn", TWIN_DIRECTION_INCOMING, 0},
        };
        std::printf("libtwin %s from C++: if motor-C degrades to 0.3\n", twin_version());
        for (const Hit &h : impact.run("motor-C", follow, 0.3))
            std::printf("  %u %-18s %.2f %s\n", h.depth, h.twin.c_str(), h.score, h.via.c_str());

        g.add_twin("motor-C", "dtmi:factory:Motor;1");  // a duplicate: throws
        return 1;
    } catch (const twin_error_exception &e) {
        std::printf("caught as expected: %s\n", e.what());
        return e.status == TWIN_E_EXISTS ? 0 : 1;
    }
}
