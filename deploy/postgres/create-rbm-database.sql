-- RBM Flow's own database beside Temporal's (runs once, when the PostgreSQL volume is created).
-- Change the password with RBM_DB_PASSWORD in docker-compose and here.
CREATE ROLE rbm LOGIN PASSWORD 'rbm';
CREATE DATABASE rbm OWNER rbm;
