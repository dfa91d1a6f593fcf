# Production image: the official Airflow image plus the pinned Python dependencies of the
# estat pipeline. dags/, plugins/ (where the estat package lives) and include/ are
# bind-mounted by docker-compose.yaml, so changing them needs no rebuild.
FROM apache/airflow:3.3.2-python3.11

# The official image wants extra packages installed as the "airflow" user (its pip puts them
# in that user's ~/.local); installing as root would bypass that layout.
USER airflow

# Only the dependency lists are copied, so this layer is rebuilt only when they change.
COPY requirements.txt constraints.txt /

# Naming apache-airflow==${AIRFLOW_VERSION} (set by the base image) stops pip from up- or
# downgrading Airflow while it resolves requirements.txt; constraints.txt pins the rest, so
# a rebuild installs exactly the versions that were tested.
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" \
    -r /requirements.txt -c /constraints.txt
