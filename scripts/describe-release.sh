#!/usr/bin/env bash
# describe-release.sh <version> <out-dir>
#
# Writes a *release description* of Appwrite <version>: the files Appwrite's own installer renders from, read from
# the release image, so that harden-init can render that release on a machine without Docker (a files-only run):
#   <out-dir>/<version>/docker-compose.yml   /usr/local/share/appwrite/docker-compose.yml of the image, byte-exact
#   <out-dir>/<version>/variables.php        /usr/src/code/app/config/variables.php, byte-exact
#   <out-dir>/<version>/bin.txt              `ls -1 /usr/local/bin` of the image, sorted (the executables)
#   <out-dir>/<version>/image.txt            provenance: image reference, id and date (not read by harden-init)
# Then: HARDEN_INIT_RELEASES_DIR=<out-dir> npx harden-init --release <version> ...
#
# Needs Docker. Pulls appwrite/appwrite:<version> when it is not present (set APPWRITE_IMAGE to read another
# repository). Reads run in throw-away containers without network. Nothing is edited by hand: never change
# these files, describe the release again instead.
set -euo pipefail
version="${1:?usage: describe-release.sh <version> <out-dir>}"
out="${2:?usage: describe-release.sh <version> <out-dir>}"
case "$version" in ''|*[!0-9A-Za-z._+-]*|*..*) echo "describe-release: not a release version: $version" >&2; exit 2 ;; esac
ref="${APPWRITE_IMAGE:-appwrite/appwrite}:$version"

docker image inspect "$ref" >/dev/null 2>&1 || docker pull "$ref"
id="$(docker image inspect --format '{{.Id}}' "$ref")"
dest="$out/$version"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/describe-release.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

read_file() { docker run --rm --network none --entrypoint cat "$id" "$1" >"$2"; }
read_file /usr/local/share/appwrite/docker-compose.yml "$tmp/docker-compose.yml"
read_file /usr/src/code/app/config/variables.php "$tmp/variables.php"
docker run --rm --network none --entrypoint ls "$id" -1 /usr/local/bin | LC_ALL=C sort -u >"$tmp/bin.txt"
[ -s "$tmp/docker-compose.yml" ] && [ -s "$tmp/variables.php" ] && [ -s "$tmp/bin.txt" ] \
  || { echo "describe-release: $ref: a file read empty" >&2; exit 1; }
printf 'image: %s\nid: %s\nread: %s\n' "$ref" "$id" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$tmp/image.txt"

mkdir -p "$dest"
for f in docker-compose.yml variables.php bin.txt image.txt; do
  install -m 0644 "$tmp/$f" "$dest/$f"
done
echo "Described $ref ($id) in $dest"
