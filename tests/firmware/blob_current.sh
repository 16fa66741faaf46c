#!/bin/sh
# The committed tests/firmware/models_blob.h is what make_models_blob writes
# from tests/firmware/models/factory.json now (the binary form is stable
# and the models did not change without regenerating it).
#   blob_current.sh MAKE_MODELS_BLOB MODELS_JSON COMMITTED_HEADER
"$1" "$2" | cmp -s - "$3" || {
    echo "tests/firmware/models_blob.h is stale: regenerate it with" >&2
    echo "  build/tests/make_models_blob tests/firmware/models/factory.json > tests/firmware/models_blob.h" >&2
    exit 1
}
