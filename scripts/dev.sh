#!/usr/bin/env bash
# README command 1: install everything, then run the whole pipeline locally with demo traffic.
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
exec pnpm dev "$@"
