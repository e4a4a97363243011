"""The README's pyarrow calls against a running training-set Flight service, for TrainingSetFlightIT.

Usage: python pyarrow_flight_client.py PORT ENTITY_PARQUET FEATURE...

Prints one JSON object: what each call returned, timestamps as UTC microseconds, so the Java test can compare it
with what the Java Flight client and the Parquet training set hold.
"""
import json
import sys

import pyarrow as pa
import pyarrow.flight as flight
import pyarrow.parquet as pq


def rows(table):
    """The table's rows as lists, timestamp columns as their int64 microseconds."""
    columns = []
    for column in table.columns:
        if pa.types.is_timestamp(column.type):
            column = column.cast(pa.int64())
        columns.append(column.to_pylist())
    return [list(row) for row in zip(*columns)]


def main():
    port, entity_path, features = sys.argv[1], sys.argv[2], sys.argv[3:]
    client = flight.connect(f"grpc://127.0.0.1:{port}")
    out = {}

    # The entity file on the server: GetFlightInfo, then DoGet of its endpoint's ticket, reading the manifest that
    # comes as the last message's app metadata.
    request = {"features": features, "entity_path": entity_path}
    info = client.get_flight_info(flight.FlightDescriptor.for_command(json.dumps(request)))
    out["info_records"] = info.total_records
    out["info_columns"] = info.schema.names
    reader = client.do_get(info.endpoints[0].ticket)
    batches, manifest = [], None
    while True:
        try:
            chunk = reader.read_chunk()
        except StopIteration:
            break
        if chunk.data is not None and chunk.data.num_rows > 0:
            batches.append(chunk.data)
        if chunk.app_metadata is not None:
            manifest = json.loads(chunk.app_metadata.to_pybytes())
    by_path = pa.Table.from_batches(batches, schema=reader.schema)
    out["by_path"] = rows(by_path)
    out["manifest"] = manifest

    # The same entities read by pyarrow and uploaded with DoPut; the put's metadata is the ticket.
    entities = pq.read_table(entity_path)
    writer, put_reader = client.do_put(
        flight.FlightDescriptor.for_command(json.dumps({"features": features})), entities.schema)
    writer.write_table(entities)
    writer.done_writing()
    ticket = put_reader.read().to_pybytes()
    writer.close()
    out["by_upload"] = rows(client.do_get(flight.Ticket(ticket)).read_all())

    # The same training set again from the manifest alone.
    out["as_of"] = rows(client.do_get(flight.Ticket(json.dumps({"as_of": manifest}).encode())).read_all())

    # An unknown feature view: the status reaches pyarrow as an exception naming it.
    try:
        bad = {"features": ["nope:amount"], "entity_path": entity_path}
        client.do_get(flight.Ticket(json.dumps(bad).encode())).read_all()
        out["error"] = None
    except flight.FlightError as e:
        out["error"] = {"type": type(e).__name__, "message": str(e)}
    except KeyError as e:  # pyarrow raises NOT_FOUND as ArrowKeyError, a KeyError
        out["error"] = {"type": type(e).__name__, "message": str(e)}

    print(json.dumps(out))


if __name__ == "__main__":
    main()
