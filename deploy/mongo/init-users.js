// Runs once, inside mongo1, on its first start (the image's /docker-entrypoint-initdb.d, against a
// temporary standalone mongod after it created the root user): creates the user orgscim connects
// as, with readWrite on the orgscim database and nothing else. The password comes from the compose
// secret, never from this file.
const fs = require("fs");
const password = fs.readFileSync("/tmp/secrets/mongo_orgscim_password", "utf8").trim();
db.getSiblingDB("admin").createUser({ user: "orgscim", pwd: password, roles: [{ role: "readWrite", db: "orgscim" }] });
print("init-users.js: created user orgscim (readWrite on orgscim)");
