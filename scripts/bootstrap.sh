# Sourced by dev.sh and test.sh: puts Node >= 22 and pnpm 12.4.2 on PATH and installs the workspace.
# On a machine whose Node is older, both come from the npm registry into .tools/ (nothing else is needed).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS="$ROOT/.tools"
NODE_VERSION=24.21.0
PNPM_VERSION=12.4.2

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$TOOLS/node_modules/.bin/pnpm" ]; then export PATH="$TOOLS/node_modules/.bin:$PATH"; fi
if [ "$(node_major)" -lt 22 ] || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  wanted=("pnpm@$PNPM_VERSION")
  [ "$(node_major)" -lt 22 ] && wanted+=("node@$NODE_VERSION")
  echo "bootstrap: installing ${wanted[*]} into .tools/ from the npm registry"
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "${wanted[@]}"
  export PATH="$TOOLS/node_modules/.bin:$PATH"
fi
echo "bootstrap: node $(node --version), pnpm $(pnpm --version)"
cd "$ROOT"
pnpm install --frozen-lockfile --reporter=append-only
