#!/usr/bin/env python3
"""Packs a root file system into a one-layer image tar in `docker save` form (manifest.json, the
image config, the layer), reproducibly: sorted entries, mtime 0, root-owned except the user's home.
Adds /etc/passwd, /etc/group, /etc/nsswitch.conf, /tmp and /home/polyhe for user 65532.
Usage: pack-base.py ROOTFS OUT.tar DESCRIPTION"""
import hashlib, io, json, os, sys, tarfile

rootfs, out, description = sys.argv[1], sys.argv[2], sys.argv[3]
UID = 65532
FILES = {
    "etc/passwd": "root:x:0:0:root:/root:/sbin/nologin\npolyhe:x:%d:%d:polyhe:/home/polyhe:/sbin/nologin\n" % (UID, UID),
    "etc/group": "root:x:0:\npolyhe:x:%d:\n" % UID,
    "etc/nsswitch.conf": "passwd: files\ngroup: files\nhosts: files dns\n",
}

def info(name, kind, mode, size=0, uid=0, link=""):
    t = tarfile.TarInfo(name)
    t.type, t.mode, t.size, t.uid, t.gid, t.mtime, t.linkname = kind, mode, size, uid, uid, 0, link
    return t

layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as tar:
    dirs = {"etc": 0o755, "tmp": 0o1777, "home": 0o755}
    for d, mode in sorted(dirs.items()):
        tar.addfile(info(d, tarfile.DIRTYPE, mode))
    tar.addfile(info("home/polyhe", tarfile.DIRTYPE, 0o755, uid=UID))
    for name, text in sorted(FILES.items()):
        data = text.encode()
        tar.addfile(info(name, tarfile.REGTYPE, 0o644, len(data)), io.BytesIO(data))
    for base, subdirs, files in sorted(os.walk(rootfs)):
        subdirs.sort()
        rel = os.path.relpath(base, rootfs)
        if rel != ".":
            tar.addfile(info(rel, tarfile.DIRTYPE, 0o755))
        for f in sorted(files):
            path = os.path.join(base, f)
            name = os.path.normpath(os.path.join(rel, f))
            mode = os.stat(path).st_mode & 0o755
            with open(path, "rb") as fh:
                data = fh.read()
            tar.addfile(info(name, tarfile.REGTYPE, mode | 0o444, len(data)), io.BytesIO(data))
layer_bytes = layer.getvalue()
diff_id = "sha256:" + hashlib.sha256(layer_bytes).hexdigest()
config = {
    "architecture": "amd64", "os": "linux", "created": "1970-01-01T00:00:00Z",
    "config": {"Env": ["PATH=/opt/java/bin:/usr/bin:/bin", "JAVA_HOME=/opt/java", "LANG=C.UTF-8"],
               "User": "%d:%d" % (UID, UID), "WorkingDir": "/home/polyhe"},
    "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "deploy/image/make-base.sh: " + description}],
}
config_bytes = json.dumps(config, sort_keys=True).encode()
config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
layer_name = diff_id[7:] + "/layer.tar"
manifest = json.dumps([{"Config": config_name, "RepoTags": ["polyhe-base:25"], "Layers": [layer_name]}]).encode()
with tarfile.open(out, mode="w") as img:
    for name, data in [(config_name, config_bytes), (layer_name, layer_bytes), ("manifest.json", manifest)]:
        img.addfile(info(name, tarfile.REGTYPE, 0o644, len(data)), io.BytesIO(data))
print("pack-base: layer %s, %d bytes" % (diff_id, len(layer_bytes)))
