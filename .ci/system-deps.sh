#!/usr/bin/env bash
# System packages the tests' real servers need: Debian packages listed in .ci/apt.txt and
# npm packages listed in .ci/npm.txt (installed under .tools/node). Idempotent and quick
# when everything is present. Without root, it says what is missing and carries on (the
# tests then skip locally); under CI=true a failure here is fatal.
set -uo pipefail
cd "$(dirname "$0")/.."
fail() { echo "system-deps: $*" >&2; if [ "${CI:-}" = "true" ]; then exit 1; fi; }

mapfile -t apt_pkgs < <(grep -v '^\s*#' .ci/apt.txt | awk 'NF{print $1}')
missing=()
for pkg in "${apt_pkgs[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "system-deps: apt-get install ${missing[*]}"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null) \
      || fail "apt-get install ${missing[*]} failed"
  else
    fail "not root: cannot install ${missing[*]}"
  fi
fi

mapfile -t npm_pkgs < <(grep -v '^\s*#' .ci/npm.txt | awk 'NF{print $1}')
if [ ${#npm_pkgs[@]} -gt 0 ]; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p .tools/node
    for pkg in "${npm_pkgs[@]}"; do
      name="${pkg%@*}"
      want="${pkg##*@}"
      have=$(node -p "try{require('./.tools/node/node_modules/$name/package.json').version}catch(e){''}" 2>/dev/null || true)
      if [ "$have" != "$want" ]; then
        echo "system-deps: npm install $pkg"
        npm install --prefix .tools/node --no-audit --no-fund --silent "$pkg" >/dev/null || fail "npm install $pkg failed"
      fi
    done
  else
    fail "npm is missing: cannot install ${npm_pkgs[*]}"
  fi
fi
exit 0
