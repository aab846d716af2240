-- A small shop: customers and the catalogue.
CREATE TABLE customers (
    id            bigserial PRIMARY KEY,
    email         text NOT NULL UNIQUE,      -- pdscan: purpose=user_notifications,customer_support
    email_verified boolean NOT NULL DEFAULT false,
    first_name    text,
    last_name     text,
    phone         text,
    date_of_birth date,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

COMMENT ON COLUMN customers.first_name IS 'Given name, printed on parcels. purpose: delivery, customer_support';

CREATE TABLE products (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    description text,
    price       numeric(10, 2) NOT NULL,
    sku         varchar(32) NOT NULL
);
