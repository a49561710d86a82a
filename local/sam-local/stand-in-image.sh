#!/usr/bin/env bash
# Builds, with the local Docker engine, a stand-in for the Lambda base image
# `sam local invoke` runs the functions on (public.ecr.aws/lambda/provided:
# al2023-x86_64), for a machine that reaches no image registry: a static
# busybox (the shell SAM CLI's image build runs `mv` and `chmod` with), this
# machine's glibc loader and the libraries the bootstraps link, and its CA
# bundle. SAM CLI adds its own Runtime Interface Emulator on top, as it does
# to the real image. It is not Amazon Linux: what the functions need of the
# system (the dynamic loader, libc, libm, libgcc_s) is all it holds.
# Usage: stand-in-image.sh [TAG]
set -euo pipefail
tag="${1:-public.ecr.aws/lambda/provided:al2023-x86_64}"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,lib64,lib/x86_64-linux-gnu,etc/ssl/certs,var/task,var/runtime,var/rapid,opt,tmp}
chmod 1777 "$root/tmp"
cp /bin/busybox "$root/bin/"
for tool in sh mv chmod cp rm ls cat mkdir; do
  ln -s busybox "$root/bin/$tool"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
for library in libc.so.6 libm.so.6 libgcc_s.so.1 libpthread.so.0 libdl.so.2 librt.so.1; do
  cp -L "/lib/x86_64-linux-gnu/$library" "$root/lib/x86_64-linux-gnu/"
done
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
tar -C "$root" -c . | docker import - "$tag" >/dev/null
echo "built $tag (a stand-in)" >&2
