# The controller image lands with the packaging issue (multi-stage: build with ./mvnw, run on a
# slim Java 17 JRE as a non-root user). Until then there is nothing to build here.
