#!/usr/bin/env python3
"""Write the factory demo's plant as an Azure Digital Twins bulk-import file.

    generate_plant.py [OUT]     default: plant.ndjson beside this script; - for stdout

The plant: one factory, four body lines and a packing line. A body line is a
chain of production stations joined by conveyor segments (each driven by a
motor), ending in an inspection zone that feeds the packing line; welding
robots are located in the welding stations, and environmental sensors in
every station and conveyor, monitoring their machines. Models come from
models/*.json beside this script.

The output is in twinctl export's normal form (compact JSON lines,
"$dtId" and "$metadata" first, relationships grouped by source in twin
order), so `twinctl import plant.ndjson` writes it back byte for byte.
The same output every run: a fixed seed and nothing but random() from it.
Standard library only.
"""

import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NS = "dtmi:libtwin:factory:"
SEED = 20240611

BODY_LINES = [
    # id, name, product, stations (operation of each), robots per welding station
    ("L1", "Body line 1", "front door", ["pressing", "welding", "welding", "welding",
                                         "welding", "sealing", "assembly", "welding",
                                         "welding", "painting"], 2),
    ("L2", "Body line 2", "rear door", ["pressing", "welding", "welding", "welding",
                                        "sealing", "assembly", "welding", "welding",
                                        "painting"], 2),
    ("L3", "Body line 3", "bonnet", ["pressing", "welding", "welding", "welding", "welding",
                                     "sealing", "welding", "assembly", "painting",
                                     "painting"], 3),
    ("L4", "Body line 4", "tailgate", ["pressing", "welding", "welding", "sealing",
                                       "welding", "welding", "assembly", "painting"], 2),
]
PACKING = ("PK", "Packing line", "closures", ["packing", "packing", "packing", "packing"])

MOTOR_MAKERS = [("ABB", "M3BP 100"), ("Siemens", "1LE1 100"), ("WEG", "W22 90L"),
                ("Nord", "SK 80LH")]
ROBOT_MAKERS = [("KUKA", "KR 210 R2700"), ("FANUC", "R-2000iC/210F"), ("ABB", "IRB 6700"),
                ("Yaskawa", "SP210")]
SENSOR_MAKERS = [("Sensirion", "SEN55"), ("Bosch", "BME688"), ("Vaisala", "HMP110")]


class Plant:
    def __init__(self, rng):
        self.rng = rng
        self.twins = []   # twin objects, in order
        self.rels = {}    # source id -> its relationships, in order

    def pick(self, seq):
        return seq[int(self.rng.random() * len(seq))]

    def uniform(self, lo, hi, digits):
        return round(lo + (hi - lo) * self.rng.random(), digits)

    def date(self, first_year, last_year):
        year = first_year + int(self.rng.random() * (last_year - first_year + 1))
        month = 1 + int(self.rng.random() * 12)
        day = 1 + int(self.rng.random() * 28)
        return f"{year:04d}-{month:02d}-{day:02d}"

    def twin(self, twin_id, model, **props):
        t = {"$dtId": twin_id, "$metadata": {"$model": NS + model + ";1"}}
        t.update(props)
        self.twins.append(t)
        return twin_id

    def rel(self, source, name, target, **props):
        r = {"$dtId": source, "$relationshipId": f"{source}-{name}-{target}",
             "$targetId": target, "$relationshipName": name}
        r.update(props)
        self.rels.setdefault(source, []).append(r)

    def nameplate(self, makers, power_lo, power_hi, voltage):
        maker, model = self.pick(makers)
        return {"$metadata": {}, "manufacturer": maker, "model": model,
                "ratedPower": self.uniform(power_lo, power_hi, 1), "ratedVoltage": voltage,
                "year": 2015 + int(self.rng.random() * 9)}

    def machine(self, twin_id, model, makers, power, voltage, **props):
        return self.twin(twin_id, model, serialNumber=self.serial(twin_id),
                         installDate=self.date(2016, 2023), status="running",
                         nameplate=self.nameplate(makers, power[0], power[1], voltage), **props)

    def serial(self, twin_id):
        return f"SN-{twin_id}-{int(self.rng.random() * 90000) + 10000}"

    def sensor(self, place, monitored):
        sid = self.machine(f"{place}-ENV", "EnvironmentalSensor", SENSOR_MAKERS, (0.0, 0.1), 24.0,
                           samplingInterval=self.pick([1.0, 5.0, 10.0]))
        self.rel(sid, "locatedIn", place)
        for m in monitored:
            self.rel(sid, "monitors", m)

    def line(self, line_id, name, product, operations, robots_per_station, inspection):
        """A chain station, conveyor, station, ..., station (then a last
        conveyor and an inspection zone when `inspection`); each element is
        part of the line and feeds the next. Returns the chain's ids."""
        self.twin(line_id, "ProductionLine", name=name, product=product,
                  targetRate=float(self.pick([48, 52, 60, 64])),
                  shiftPattern=self.pick(["twoShifts", "threeShifts"]))
        self.rel(line_id, "partOf", "plant")
        chain, motors = [], {}
        for k, op in enumerate(operations, 1):
            st = self.twin(f"{line_id}-ST{k:02d}", "ProductionStation",
                           name=f"{name} station {k} ({op})", status="running",
                           stationNumber=k, operation=op,
                           cycleTimeTarget=self.uniform(45.0, 70.0, 1))
            chain.append(st)
            robots = []
            if op == "welding":
                for r in range(1, robots_per_station + 1):
                    robots.append(self.machine(
                        f"{st}-R{r}", "WeldingRobot", ROBOT_MAKERS, (12.0, 20.0), 400.0, axes=6,
                        payload=float(self.pick([165, 210, 270])),
                        weldProcess=self.pick(["spot", "spot", "arc", "laser"])))
                    self.rel(robots[-1], "locatedIn", st)
            self.sensor(st, robots)
            if k < len(operations) or inspection:
                cv = self.twin(f"{line_id}-CV{k:02d}", "ConveyorSegment",
                               name=f"{name} conveyor {k}", status="running",
                               length=self.uniform(4.0, 18.0, 1),
                               speedSetpoint=self.pick([0.3, 0.4, 0.5]))
                motors[cv] = self.machine(f"{cv}-M", "Motor", MOTOR_MAKERS, (1.5, 7.5), 400.0,
                                          ratedSpeed=self.pick([1420.0, 1450.0, 2880.0]))
                self.rel(motors[cv], "partOf", cv)
                self.rel(motors[cv], "locatedIn", cv)
                self.sensor(cv, [motors[cv]])
                chain.append(cv)
        if inspection:
            iz = self.twin(f"{line_id}-IZ", "InspectionZone", name=f"{name} inspection",
                           status="running", cameraCount=int(self.rng.random() * 4) + 2,
                           method=self.pick(["vision", "vision", "laserScan"]))
            self.sensor(iz, [])
            chain.append(iz)
        for k, el in enumerate(chain):
            self.rel(el, "partOf", line_id)
            if k + 1 < len(chain):
                self.rel(el, "feeds", chain[k + 1], bufferCapacity=int(self.rng.random() * 8) + 2)
        return chain


def build():
    p = Plant(random.Random(SEED))
    p.twin("plant", "Factory", name="Closures plant", city="Zwickau", country="DE",
           commissioned="2016-04-01")
    first_packing = f"{PACKING[0]}-ST01"
    for line_id, name, product, ops, robots in BODY_LINES:
        p.line(line_id, name, product, ops, robots, inspection=True)
        # The inspection zone of each body line feeds the packing line.
        p.rel(f"{line_id}-IZ", "feeds", first_packing, bufferCapacity=20)
    p.line(PACKING[0], PACKING[1], PACKING[2], PACKING[3], 0, inspection=False)
    return p


def models():
    out = []
    folder = os.path.join(HERE, "models")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".json"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                out.append(json.load(f))
    return out


def dumps(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def write(p, f):
    f.write('{"Section": "Header"}\n')
    f.write(dumps({"fileVersion": "1.0.0", "author": "examples/factory/generate_plant.py",
                   "organization": "libtwin"}) + "\n")
    f.write('{"Section": "Models"}\n')
    for m in models():
        f.write(dumps(m) + "\n")
    f.write('{"Section": "Twins"}\n')
    for t in p.twins:
        f.write(dumps(t) + "\n")
    f.write('{"Section": "Relationships"}\n')
    # Grouped by source, in twin order (twinctl export's order).
    for t in p.twins:
        for r in p.rels.get(t["$dtId"], []):
            f.write(dumps(r) + "\n")


def main(argv):
    out = argv[1] if len(argv) > 1 else os.path.join(HERE, "plant.ndjson")
    p = build()
    if out == "-":
        write(p, sys.stdout)
    else:
        with open(out, "w", encoding="utf-8", newline="\n") as f:
            write(p, f)
        print(f"{out}: {len(p.twins)} twins, {sum(len(r) for r in p.rels.values())} "
              "relationships", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
