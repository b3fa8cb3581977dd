-- Seed data for the helpdesk demo agent. The agent builds helpdesk.db from
-- this file on first use; delete helpdesk.db to start over.

CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT NOT NULL,
  plan TEXT NOT NULL CHECK (plan IN ('free', 'pro', 'enterprise')),
  created_at TEXT NOT NULL
);

CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id),
  status TEXT NOT NULL
    CHECK (status IN ('processing', 'shipped', 'delayed', 'delivered', 'cancelled')),
  total REAL NOT NULL,
  carrier TEXT,
  tracking_number TEXT,
  estimated_delivery TEXT,
  placed_at TEXT NOT NULL
);

CREATE TABLE tickets (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id),
  order_id TEXT REFERENCES orders (id),
  subject TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('open', 'pending', 'closed')),
  priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'urgent')),
  -- A JSON array of strings.
  tags TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL
);

CREATE TABLE attachments (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets (id),
  filename TEXT NOT NULL,
  size_kb INTEGER NOT NULL,
  description TEXT
);

CREATE TABLE credits (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets (id),
  amount REAL NOT NULL CHECK (amount > 0),
  customer_notified INTEGER NOT NULL,
  created_at TEXT NOT NULL
);

INSERT INTO customers (id, email, name, plan, created_at) VALUES
  (1, 'maya.patel@example.com', 'Maya Patel', 'pro', '2024-02-11T09:15:00Z'),
  (2, 'jonas.berg@example.com', 'Jonas Berg', 'free', '2024-04-03T14:02:00Z'),
  (3, 'aiko.tanaka@example.com', 'Aiko Tanaka', 'enterprise', '2023-11-20T08:40:00Z'),
  (4, 'carlos.mendes@example.com', 'Carlos Mendes', 'pro', '2024-06-17T17:25:00Z'),
  (5, 'fatima.zahra@example.com', 'Fatima Zahra', 'free', '2024-08-29T11:05:00Z'),
  (6, 'liam.oconnor@example.com', 'Liam O''Connor', 'free', '2024-09-14T19:48:00Z'),
  (7, 'sofia.rossi@example.com', 'Sofia Rossi', 'enterprise', '2023-07-01T10:00:00Z'),
  (8, 'noah.williams@example.com', 'Noah Williams', 'pro', '2024-12-05T16:30:00Z');

INSERT INTO orders
  (id, customer_id, status, total, carrier, tracking_number, estimated_delivery, placed_at)
VALUES
  ('ORD-1001', 1, 'delivered', 129.90, 'DHL', 'DHL-551203', '2025-03-02', '2025-02-26T10:12:00Z'),
  ('ORD-1002', 2, 'processing', 49.00, NULL, NULL, '2025-03-14', '2025-03-08T08:55:00Z'),
  ('ORD-1003', 4, 'delivered', 310.50, 'UPS', '1Z999AA10123456784', '2025-03-04', '2025-02-27T13:40:00Z'),
  ('ORD-1004', 7, 'shipped', 89.99, 'DHL', 'DHL-551877', '2025-03-12', '2025-03-07T09:30:00Z'),
  ('ORD-1005', 6, 'delayed', 64.00, 'PostNL', 'PNL-3S88410', '2025-03-18', '2025-03-01T15:20:00Z'),
  ('ORD-1006', 8, 'cancelled', 19.99, NULL, NULL, NULL, '2025-03-05T12:00:00Z');

INSERT INTO tickets
  (id, customer_id, order_id, subject, body, status, priority, tags, created_at)
VALUES
  (1, 1, 'ORD-1001', 'Refund for double charge',
    'My card was charged twice for order ORD-1001.',
    'open', 'urgent', '["billing", "refund"]', '2025-03-03T09:00:00Z'),
  (2, 2, NULL, 'Cannot reset password',
    'The reset link in the email says it has expired.',
    'open', 'normal', '["login"]', '2025-03-04T07:45:00Z'),
  (3, 3, NULL, 'SSO login fails for new hires',
    'Accounts created this week get a SAML error at sign-in.',
    'pending', 'urgent', '["login", "sso"]', '2025-03-04T11:20:00Z'),
  (4, 4, 'ORD-1003', 'Package arrived damaged',
    'The box was crushed and the lamp inside is broken.',
    'open', 'normal', '["shipping", "damage"]', '2025-03-05T08:10:00Z'),
  (5, 5, NULL, 'How do I export my data?',
    'I would like a copy of all my projects.',
    'closed', 'low', '["account", "export"]', '2025-03-05T14:00:00Z'),
  (6, 6, 'ORD-1005', 'Order still not delivered',
    'Tracking has not moved for five days.',
    'open', 'normal', '["shipping"]', '2025-03-06T18:35:00Z'),
  (7, 7, NULL, 'Invoice shows wrong VAT number',
    'Our VAT number changed in January; the March invoice has the old one.',
    'pending', 'normal', '["billing", "invoice"]', '2025-03-07T09:05:00Z'),
  (8, 8, NULL, 'App crashes on startup',
    'Since the last update the Android app closes right after the splash screen.',
    'open', 'urgent', '["bug", "mobile"]', '2025-03-07T21:15:00Z'),
  (9, 1, NULL, 'Upgrade to enterprise plan',
    'We need more seats; what does enterprise cost?',
    'closed', 'low', '["billing", "plan"]', '2025-02-20T10:30:00Z'),
  (10, 3, NULL, 'API rate limit too low',
    'Our nightly sync hits HTTP 429 after ten minutes.',
    'open', 'normal', '["api"]', '2025-03-08T06:50:00Z'),
  (11, 4, NULL, 'Wrong size delivered',
    'Ordered a large, received a small.',
    'closed', 'normal', '["shipping", "returns"]', '2025-02-15T12:00:00Z'),
  (12, 2, NULL, 'Charged after cancelling',
    'I cancelled my trial but was billed anyway.',
    'pending', 'urgent', '["billing", "refund"]', '2025-03-08T16:25:00Z');

INSERT INTO attachments (id, ticket_id, filename, size_kb, description) VALUES
  (1, 4, 'crushed-box.jpg', 2048, 'Photo of the box as delivered'),
  (2, 8, 'crash-log.txt', 12, NULL);

INSERT INTO credits (id, ticket_id, amount, customer_notified, created_at) VALUES
  (1, 11, 15.00, 1, '2025-02-16T09:00:00Z');
