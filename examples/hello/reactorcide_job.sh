#!/usr/bin/env bash
# A shell job: runs in the source directory with the run's facts in its environment.
set -euo pipefail

echo "Hello from job ${REACTORCIDE_JOB_ID} (phase ${REACTORCIDE_PHASE}), working in $(pwd)"
echo "CI=${CI}; the source holds: $(ls | tr '\n' ' ')"

# A value learnt at run time (here made up) is registered with a line the log never shows;
# from then on it is masked, in whatever encoding it is printed.
session="session-$(date +%s)-example"
echo "::add-mask::${session}"
echo "the session id prints as ${session}"
echo "and in base64 as $(printf '%s' "${session}" | base64)"
