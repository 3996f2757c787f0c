// mongo1's health check (mongosh --file, inside mongo1). Initiates the replica set the first time
// (mongo1 preferred as primary), then passes only when a write acknowledged by a majority of the
// set succeeds through the primary, wherever the primary is: "the set takes writes", not merely
// "mongosh could run" (which is what a check that only calls rs.status() or rs.initiate() tests).
const fs = require("fs");
const password = fs.readFileSync("/tmp/secrets/mongo_root_password", "utf8").trim();
const local = db.getSiblingDB("admin");
local.auth("root", password);
let initiated = true;
try {
  rs.status();
} catch (e) {
  if (e.codeName !== "NotYetInitialized") throw e;
  initiated = false;
}
if (!initiated) {
  rs.initiate({
    _id: "rs0",
    members: [
      { _id: 0, host: "mongo1:27017", priority: 2 },
      { _id: 1, host: "mongo2:27017", priority: 1 },
      { _id: 2, host: "mongo3:27017", priority: 1 },
    ],
  });
  print("replica set rs0 initiated; waiting for a primary");
  quit(1);
}
const set = new Mongo(`mongodb://root:${encodeURIComponent(password)}@mongo1:27017,mongo2:27017,mongo3:27017/?replicaSet=rs0&authSource=admin&serverSelectionTimeoutMS=5000`);
const result = set.getDB("orgscim_health").beats.updateOne(
  { _id: "mongo1" },
  { $set: { at: new Date() } },
  { upsert: true, writeConcern: { w: "majority", wtimeout: 5000 } },
);
if (!result.acknowledged) quit(1);
