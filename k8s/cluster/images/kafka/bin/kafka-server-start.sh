#!/bin/sh
# Starts the broker (and KRaft controller) of a server.properties: kafka-server-start.sh <file>.
# The heap defaults to 1 GB, as the apache/kafka image's; the GC log goes to $LOG_DIR.
if [ $# -lt 1 ]; then
    echo "usage: kafka-server-start.sh server.properties [--override property=value]..." >&2
    exit 1
fi
export KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}"
export KAFKA_GC_LOG=kafkaServer-gc.log
exec "$(dirname "$0")/kafka-run-class.sh" kafka.Kafka "$@"
