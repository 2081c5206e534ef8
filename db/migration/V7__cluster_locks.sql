-- Periodic jobs that one instance of the cluster runs (routes.store.ClusterLock): per job, the instance that holds its
-- lease and so runs its rounds, renewed by each round it runs; another instance takes it over only once the lease has
-- run out (its holder stopped running the job) or was handed over (its holder stopped). While a round runs, its
-- instance also holds the job's PostgreSQL advisory lock, so two rounds of one job never overlap. GET /health shows it.
CREATE TABLE cluster_locks (
    job         text        PRIMARY KEY,    -- the job's route id: maintenance-schedule, sender-lease-recovery
    holder      text,                       -- SENDER_INSTANCE_ID of the instance that runs its rounds; null: handed over
    since       timestamptz,                -- when that instance took it
    last_run_at timestamptz NOT NULL,       -- when its last round began (any instance)
    lease_until timestamptz                 -- the holder keeps it until then (two of its periods after its last round)
);
