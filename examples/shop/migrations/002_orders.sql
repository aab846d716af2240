CREATE TABLE orders (
    id                bigserial PRIMARY KEY,
    customer_id       bigint NOT NULL REFERENCES customers (id),
    shipping_name     text NOT NULL,
    shipping_address  text NOT NULL,
    shipping_city     text NOT NULL,
    shipping_postcode varchar(16) NOT NULL,
    total             numeric(10, 2) NOT NULL,
    ip_address        inet,
    user_agent        text,
    created_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE payments (
    id          bigserial PRIMARY KEY,
    order_id    bigint NOT NULL REFERENCES orders (id),
    card_number varchar(19) NOT NULL,
    card_expiry varchar(5) NOT NULL,
    amount      numeric(10, 2) NOT NULL
);

CREATE INDEX orders_customer_id ON orders (customer_id);
