# A Node 20 image without an image registry: the local Debian base (lrf-debian:bookworm, from
# debootstrap) plus this host's own Node 20 (its `node` binary and bundled npm, copied in by
# scripts/compose-base-images.sh), a `node` user (uid 1000) like the official node images, and the
# host's CA bundle so npm trusts what the host trusts (a TLS-intercepting proxy's CA, say).
ARG BASE_IMAGE=lrf-debian:bookworm
FROM ${BASE_IMAGE}
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /etc/ssl/certs/lrf-host-ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/lrf-host-ca-certificates.crt
CMD ["node"]
