-- appends the seal over the records made before keyed seals (written once, on the first keyed write)

insert into decision_seals by name
select
    cast($sealed_at_utc as timestamp) as sealed_at_utc,
    cast($through_sequence_no as integer) as through_sequence_no,
    cast($through_decision_id as varchar) as through_decision_id,
    cast($through_record_hash as varchar) as through_record_hash,
    cast($key_id as varchar) as key_id,
    cast($seal_mac as varchar) as seal_mac
