// Parse an .ics file with Mozilla's ical.js (as Thunderbird does) and print what a calendar
// shows: uid, sequence, status, wall-clock start in its zone, the instant in UTC, summary.
import fs from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.env.ICALJS_DIR + "/");
const ICAL = require("ical.js");

const text = fs.readFileSync(process.argv[2], "utf8");
const root = new ICAL.Component(ICAL.parse(text));
for (const tz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(tz));
}
const out = {
  method: root.getFirstPropertyValue("method"),
  events: root.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      sequence: event.sequence,
      status: vevent.getFirstPropertyValue("status"),
      tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
      wall: [event.startDate.hour, event.startDate.minute],
      utc: event.startDate.toJSDate().toISOString(),
      summary: event.summary,
      description: event.description,
    };
  }),
};
process.stdout.write(JSON.stringify(out));
