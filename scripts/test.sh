#!/usr/bin/env bash
# README command 2: install everything, then lint, typecheck and run the whole test suite.
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
source "$ROOT/scripts/chromium.sh"
ensure_chromium
pnpm lint
pnpm typecheck
pnpm test
