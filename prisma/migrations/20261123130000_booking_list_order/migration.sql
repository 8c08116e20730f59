-- The bookings list's usual orders: latest first or earliest first, with the
-- id as tie-break. Filtering by the token's accounts then walks this index in
-- order instead of sorting every booking of those accounts.
CREATE INDEX bookings_starts_at_id_idx ON bookings (starts_at DESC, id);
