# syntax=docker/dockerfile:1
# sortie with Claude Code, ready for the Kubernetes manifests in examples/k8s (uid 1000, read-only root
# filesystem, WORKFLOW.md mounted at /home/sortie/config). Build from the repository root:
#   docker build -f examples/docker/claude-code.Dockerfile -t sortie-claude-code .
# With a locally built base image instead of the published one:
#   docker build -f Dockerfile.distroless -t sortie:local .
#   docker build -f examples/docker/claude-code.Dockerfile --build-arg SORTIE_IMAGE=sortie:local -t sortie-claude-code .

ARG SORTIE_IMAGE=ghcr.io/sortie-ai/sortie:latest
# Debian (glibc) based: the sortie binary needs glibc, so Alpine images cannot run it.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${SORTIE_IMAGE} AS sortie

FROM ${NODE_IMAGE}
ARG CLAUDE_CODE_VERSION=2.1.332
# wget: the HEALTHCHECK (node:*-slim images remove curl and wget after installing Node);
# tini: PID 1 that forwards SIGTERM to sortie and reaps the orphaned grandchildren agents leave;
# git + ca-certificates: agents clone, fetch and push over HTTPS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git tini wget \
 && rm -rf /var/lib/apt/lists/*
RUN npm install -g @anthropic-ai/claude-code@${CLAUDE_CODE_VERSION} \
 && npm cache clean --force
# The image's "node" user holds uid 1000, which the manifests run as: give it to sortie.
RUN userdel --remove node \
 && groupadd --gid 1000 sortie \
 && useradd --create-home --home-dir /home/sortie --shell /bin/bash --uid 1000 --gid 1000 sortie
COPY --from=sortie /usr/bin/sortie /usr/bin/sortie
USER sortie
WORKDIR /home/sortie
# Credentials at run time: ANTHROPIC_API_KEY (or the Bedrock/Vertex variables). Claude Code
# refuses its skip-permissions mode as root, hence the non-root user above.
EXPOSE 7678
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD wget -qO /dev/null http://127.0.0.1:7678/readyz || exit 1
ENTRYPOINT ["tini", "--", "/usr/bin/sortie", "--host", "0.0.0.0", "--log-format", "json"]
CMD ["/home/sortie/config/WORKFLOW.md"]
