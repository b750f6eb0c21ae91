#!/usr/bin/env bash
# check_static.sh BINARY: no program interpreter, no dynamic section.
set -eu
bin=$1
if readelf -lW "$bin" | grep -q INTERP; then echo "FAIL: $bin has an INTERP header"; exit 1; fi
if readelf -dW "$bin" | grep -q NEEDED; then echo "FAIL: $bin needs shared libraries"; exit 1; fi
echo "static: $(stat -c %s "$bin") bytes"
