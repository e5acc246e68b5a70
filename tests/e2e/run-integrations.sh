#!/usr/bin/env bash
# The integration screens' end-to-end test: see run-suite.sh.
exec "$(dirname "${BASH_SOURCE[0]}")/run-suite.sh" integrations "$@"
