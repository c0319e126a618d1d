#!/bin/sh
# Kafka's storage tool: `format --config <server.properties> --cluster-id <id>` prepares a KRaft log
# directory once, `random-uuid` prints a new cluster id. Unlike the broker it logs warnings only, to
# standard error whatever KAFKA_LOG4J_OPTS says: the chart reads the cluster id from standard output,
# where the broker's logging configuration would put a log line before it.
home=$(cd "$(dirname "$0")/.." && pwd)
export KAFKA_LOG4J_OPTS="-Dlog4j.configuration=file:$home/config/tools-log4j.properties"
exec "$home/bin/kafka-run-class.sh" kafka.tools.StorageTool "$@"
