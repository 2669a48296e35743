# The dsbench image: the static binary on a small Debian base (with /bin/sh,
# which scripts/k8s/dsbench-shards.yaml runs the shard's command in).
#
#   docker build -t dsbench:latest .
#   docker run --rm dsbench:latest dsbench run -q
#
# For a cluster, push it where the cluster pulls from (or `kind load
# docker-image dsbench:latest`) and set the Job's image to that name.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=0.1.0-dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/dsbench/dsbench/bench.Version=${VERSION}" \
      -o /out/dsbench ./cmd/dsbench

FROM debian:bookworm-slim
COPY --from=build /out/dsbench /usr/local/bin/dsbench
RUN useradd --create-home --uid 10001 dsbench && mkdir -p /results && chown dsbench /results
USER dsbench
WORKDIR /home/dsbench
CMD ["dsbench", "--help"]
