#!/bin/sh
# Writes the secrets docker-compose.yml reads into ./secrets/ (git-ignored), once: a keyfile for
# the replica set members, the MongoDB root password, the orgscim user's password, and
# secrets/orgscim.env with the DATABASE_URL that uses it. Existing files are kept.
set -eu
cd "$(dirname "$0")/.."
umask 077
mkdir -p secrets
[ -s secrets/mongo-keyfile ] || openssl rand -base64 756 > secrets/mongo-keyfile
[ -s secrets/mongo-root-password ] || openssl rand -hex 24 > secrets/mongo-root-password
[ -s secrets/mongo-orgscim-password ] || openssl rand -hex 24 > secrets/mongo-orgscim-password
if [ ! -s secrets/orgscim.env ]; then
  printf 'DATABASE_URL=mongodb://orgscim:%s@mongo1:27017,mongo2:27017,mongo3:27017/orgscim?replicaSet=rs0&authSource=admin\n' \
    "$(cat secrets/mongo-orgscim-password)" > secrets/orgscim.env
fi
# The mongo containers copy them as root (docker-compose.yml); orgscim reads only orgscim.env, through compose.
chmod 600 secrets/*
echo "secrets/ ready: $(ls secrets | tr '\n' ' ')"
