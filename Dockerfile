# syntax=docker/dockerfile:1
#
# The Stoker controller image: `stoker run` (and the other stoker commands) on a Java 17 JRE.
#
#   docker build -t stoker:dev .
#   docker run --rm stoker:dev --help
#
# Two stages: the first builds scaler/app/target/stoker.jar with the Maven Wrapper (tests are run
# by CI, not here); the second holds only a JRE and that jar, and runs as a non-root user.
# linux/amd64 only: the build runs protoc and the grpc-java code generator, whose Maven artifacts
# are pinned to linux-x86_64 in scaler/app/pom.xml. The chart (charts/stoker) runs the image with a
# read-only root filesystem and an emptyDir on /tmp. DockerfileIT checks this file statically.

# --- build ----------------------------------------------------------------------------------
FROM eclipse-temurin:17-jdk-noble AS build
WORKDIR /src
COPY . .
# The Maven repository is a BuildKit cache: a second build downloads nothing.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl scaler/app -am package -DskipTests

# --- run ------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre-noble
LABEL org.opencontainers.image.title="stoker" \
      org.opencontainers.image.description="Event-driven executor autoscaler for Apache Spark on Kubernetes" \
      org.opencontainers.image.licenses="Apache-2.0"
# A numeric user, so that Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN groupadd --system --gid 10001 stoker \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin stoker
COPY --from=build --chown=0:0 --chmod=0444 /src/scaler/app/target/stoker.jar /opt/stoker/stoker.jar
USER 10001:10001
# /metrics, /healthz and /readyz (--metrics-port). The KEDA external scaler listens on
# --grpc-port when that is set (off by default).
EXPOSE 8080
# The heap follows the container's memory limit; an OutOfMemoryError ends the process so that
# Kubernetes restarts it instead of leaving a half-working leader holding the Lease.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/stoker/stoker.jar"]
CMD ["run"]
