# switchyard: a static binary on an empty image, run as a non-root user,
# state in the /data volume. Build and run (see README, Container):
#   docker build -t switchyard .
#   docker run --rm -p 127.0.0.1:4010:4010 -v switchyard-data:/data switchyard --dev-any-address

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Static (no cgo), without local paths; the VCS revision is stamped when the
# build context holds .git (see .dockerignore).
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/switchyard ./cmd/switchyard \
 && mkdir -p /out/data

FROM scratch
# CA roots for https API destinations and OAuth endpoints.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/switchyard /switchyard
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME /data
# 4010: the API, /healthz, /readyz and /metrics.
EXPOSE 4010
# Listening on all interfaces needs --auth sigv4 --credentials FILE, or the
# explicit --dev-any-address for a port published to the host's loopback
# only: with neither, serve refuses to start.
ENTRYPOINT ["/switchyard", "serve", "--data-dir", "/data", "--listen", "0.0.0.0:4010"]
