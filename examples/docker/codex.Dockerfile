# syntax=docker/dockerfile:1
# sortie with OpenAI Codex, ready for the Kubernetes manifests in examples/k8s (uid 1000, read-only root
# filesystem, WORKFLOW.md mounted at /home/sortie/config). Build from the repository root:
#   docker build -f examples/docker/codex.Dockerfile -t sortie-codex .
# With a locally built base image instead of the published one:
#   docker build -f Dockerfile.distroless -t sortie:local .
#   docker build -f examples/docker/codex.Dockerfile --build-arg SORTIE_IMAGE=sortie:local -t sortie-codex .

ARG SORTIE_IMAGE=ghcr.io/sortie-ai/sortie:latest
# Debian (glibc) based: the sortie binary needs glibc, so Alpine images cannot run it.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${SORTIE_IMAGE} AS sortie

FROM ${NODE_IMAGE}
ARG CODEX_VERSION=0.171.0
# wget: the HEALTHCHECK (node:*-slim images remove curl and wget after installing Node);
# tini: PID 1 that forwards SIGTERM to sortie and reaps the orphaned grandchildren agents leave;
# git + ca-certificates: agents clone, fetch and push over HTTPS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git tini wget \
 && rm -rf /var/lib/apt/lists/*
RUN npm install -g @openai/codex@${CODEX_VERSION} \
 && npm cache clean --force
# The image's "node" user holds uid 1000, which the manifests run as: give it to sortie.
RUN userdel --remove node \
 && groupadd --gid 1000 sortie \
 && useradd --create-home --home-dir /home/sortie --shell /bin/bash --uid 1000 --gid 1000 sortie
COPY --from=sortie /usr/bin/sortie /usr/bin/sortie
USER sortie
WORKDIR /home/sortie
# Credentials at run time: CODEX_API_KEY.
EXPOSE 7678
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD wget -qO /dev/null http://127.0.0.1:7678/readyz || exit 1
ENTRYPOINT ["tini", "--", "/usr/bin/sortie", "--host", "0.0.0.0", "--log-format", "json"]
CMD ["/home/sortie/config/WORKFLOW.md"]
