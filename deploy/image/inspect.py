#!/usr/bin/env python3
"""Prints an OCI image tar's entrypoint, user, environment, ports and layers (size, entries, what
made each), with no container tools: deploy/image/inspect.py cli/target/polyhe-image.tar"""
import json, sys, tarfile

def blob(img, digest):
    return img.extractfile("blobs/sha256/" + digest.split(":")[1])

with tarfile.open(sys.argv[1]) as img:
    index = json.load(img.extractfile("index.json"))
    desc = index["manifests"][0]
    manifest = json.load(blob(img, desc["digest"]))
    config = json.load(blob(img, manifest["config"]["digest"]))
    c = config["config"]
    print("image:", desc.get("annotations", {}).get("org.opencontainers.image.ref.name"), desc["mediaType"])
    print("entrypoint:", json.dumps(c.get("Entrypoint")), "cmd:", json.dumps(c.get("Cmd")))
    print("user:", c.get("User"), "workdir:", c.get("WorkingDir"), "ports:", sorted(c.get("ExposedPorts", {})))
    print("env:", c.get("Env"))
    history = [h for h in config.get("history", []) if not h.get("empty_layer")]
    for i, layer in enumerate(manifest["layers"]):
        with tarfile.open(fileobj=blob(img, layer["digest"]), mode="r:*") as t:
            members = t.getmembers()
        files = sum(1 for m in members if m.isfile())
        top = sorted({m.name.lstrip("./").split("/")[0] for m in members if m.name.strip("./")})
        h = history[i] if i < len(history) else {}
        what = h.get("comment") or h.get("created_by", "")
        print(f"layer {i}: {layer['size'] / 1e6:6.1f} MB compressed, {files:4d} files under {top}: {what}")
