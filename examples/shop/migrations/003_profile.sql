-- Profile fields added for the loyalty programme.
ALTER TABLE customers RENAME COLUMN phone TO phone_number;
ALTER TABLE customers ADD COLUMN nickname text;
ALTER TABLE customers ADD COLUMN gender text;

CREATE TABLE customer_health_notes (
    customer_id bigint PRIMARY KEY REFERENCES customers (id),
    allergies   text,
    medical_conditions text
);
