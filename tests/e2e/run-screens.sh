#!/usr/bin/env bash
# The competition-day screens' end-to-end check: see run-suite.sh.
exec "$(dirname "${BASH_SOURCE[0]}")/run-suite.sh" screens "$@"
