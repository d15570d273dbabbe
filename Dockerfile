# The runtime image. Build the jar first (mvn package -DskipTests), then: docker build -t erasure-router .
# It holds the runtime and its libraries only: routes/ and application.properties are read from mounted paths, so
# integration engineers change behaviour without rebuilding, and secrets come from the environment or a mounted
# secrets file (/run/secrets/erasure.properties), never from the image.
FROM eclipse-temurin:17-jre

# a system user without a login shell or home; the runtime needs no privilege
RUN groupadd --system erasure && useradd --system --gid erasure --no-create-home --shell /usr/sbin/nologin erasure

WORKDIR /app
COPY target/lib/ /app/lib/
COPY target/erasure-router.jar /app/erasure-router.jar
# the shipped configuration and routes as defaults; mount over /app/config and /app/routes to change them
COPY application.properties application-staging.properties /app/config/
COPY routes/ /app/routes/

# routes/ is found relative to the working directory (/app/routes), as camel.main.routes-include-pattern says
ENV ERASURE_CONFIG=/app/config/application.properties \
    CAMEL_MANAGEMENT_HOST=0.0.0.0 \
    CAMEL_SERVER_HOST=0.0.0.0 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"

USER erasure:erasure
# 8080: the HTTP API (ledger, replays, reconciliations); 9876: management (/observe/health, /observe/metrics)
EXPOSE 8080 9876
ENTRYPOINT ["java", "-jar", "/app/erasure-router.jar"]
