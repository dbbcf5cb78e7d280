#!/usr/bin/env python3
"""Writes the default map contents of the bundled XDP programs: <program>.maps.json.

The format is {"maps": {"<map name>": [{"key": "<hex>", "value": "<hex>"}, ...]}}, the hex
being the raw bytes of the C key and value structs (little-endian integers, addresses in
network order). The tables below are the readable source of those files; docs/programs.md
describes them and the traffic that exercises them. Run from anywhere:

    python3 bench/programs/default_maps.py
"""

import hashlib
import ipaddress
import json
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent

IPPROTO_TCP = 6
IPPROTO_UDP = 17


def ipv4(text):
    return ipaddress.IPv4Address(text).packed


def mac(text):
    return bytes.fromhex(text.replace(":", ""))


def u32(value):
    return struct.pack("<I", value)


def entry(key, value):
    return {"key": key.hex(), "value": value.hex()}


# --- xdp_router_ipv4 -------------------------------------------------------------------
# prefix -> (egress ifindex, neighbour MAC, egress port MAC). Interface 1 is where the
# default traffic arrives, so its route answers with XDP_TX; 2 and 3 are redirected
# through tx_ports. 198.51.100.0/24 leaves through interface 5, which is not in tx_ports:
# such packets go to the stack untouched. Anything else has no route (XDP_PASS).
ROUTES = [
    ("192.168.0.0/16", 2, "02:00:00:00:02:01", "02:00:00:00:00:12"),
    ("192.168.1.0/24", 3, "02:00:00:00:03:01", "02:00:00:00:00:13"),
    ("10.0.0.0/8", 1, "02:00:00:00:01:01", "02:00:00:00:00:11"),
    ("198.51.100.0/24", 5, "02:00:00:00:05:01", "02:00:00:00:00:15"),
]
TX_PORTS = [2, 3]


def router_maps():
    routes = []
    for prefix, ifindex, neighbour, port in ROUTES:
        network = ipaddress.IPv4Network(prefix)
        key = u32(network.prefixlen) + network.network_address.packed
        routes.append(entry(key, u32(ifindex) + mac(neighbour) + mac(port)))
    tx_ports = [entry(u32(ifindex), u32(ifindex)) for ifindex in TX_PORTS]
    return {"routes": routes, "tx_ports": tx_ports}


# --- xdp_tunnel_ipip -------------------------------------------------------------------
# destination /24 -> (outer source, tunnel endpoint, our MAC, next-hop MAC).
TUNNELS = [
    ("192.168.0.0", "172.16.0.1", "172.16.1.1", "02:00:00:00:00:02", "02:00:00:00:10:01"),
    ("192.168.1.0", "172.16.0.1", "172.16.2.1", "02:00:00:00:00:02", "02:00:00:00:10:02"),
]


def tunnel_maps():
    tunnels = [entry(ipv4(network), ipv4(local) + ipv4(remote) + mac(ours) + mac(next_hop))
               for network, local, remote, ours, next_hop in TUNNELS]
    return {"tunnels": tunnels}


# --- xdp_load_balancer -----------------------------------------------------------------
RING_SIZE = 251  # RING_SIZE in xdp_load_balancer.c
LB_SOURCE = "10.255.0.1"
LB_MAC = "02:00:00:00:00:02"  # the generator's default destination MAC
GATEWAY_MAC = "02:00:00:00:00:fe"
# service number -> backend addresses (backend numbers are assigned in order, globally).
SERVICES = [
    ["10.200.0.1", "10.200.0.2", "10.200.0.3", "10.200.0.4"],
    ["10.200.1.1", "10.200.1.2", "10.200.1.3"],
]
# (VIP, port, protocol) -> service number
VIPS = [
    ("10.100.0.1", 80, IPPROTO_TCP, 0),
    ("10.100.0.1", 80, IPPROTO_UDP, 0),
    ("10.100.0.2", 53, IPPROTO_UDP, 1),
]


def maglev_table(names, size):
    """Maglev's lookup table (Eisenbud et al., NSDI'16, section 3.4): every backend walks
    its own permutation of the slots, taking turns to claim the next free one, so that each
    gets size/len(names) slots (+-1) and removing one moves few others."""
    permutations = []
    for name in names:
        digest = hashlib.sha256(name.encode()).digest()
        offset = int.from_bytes(digest[0:8], "little") % size
        skip = int.from_bytes(digest[8:16], "little") % (size - 1) + 1
        permutations.append([(offset + j * skip) % size for j in range(size)])
    table = [None] * size
    next_choice = [0] * len(names)
    filled = 0
    while filled < size:
        for backend, permutation in enumerate(permutations):
            slot = permutation[next_choice[backend]]
            while table[slot] is not None:
                next_choice[backend] += 1
                slot = permutation[next_choice[backend]]
            table[slot] = backend
            next_choice[backend] += 1
            filled += 1
            if filled == size:
                break
    return table


def load_balancer_maps():
    backends, ring = [], []
    first_backend = 0
    for service, addresses in enumerate(SERVICES):
        for slot, local in enumerate(maglev_table(addresses, RING_SIZE)):
            ring.append(entry(u32(service * RING_SIZE + slot), u32(first_backend + local)))
        for offset, address in enumerate(addresses):
            backends.append(entry(u32(first_backend + offset), ipv4(address)))
        first_backend += len(addresses)
    vips = [entry(ipv4(vip) + struct.pack(">H", port) + bytes([protocol, 0]), u32(service))
            for vip, port, protocol, service in VIPS]
    config = [entry(u32(0), ipv4(LB_SOURCE) + mac(LB_MAC) + mac(GATEWAY_MAC))]
    return {"vips": vips, "ring": ring, "backends": backends, "lb_config": config}


def format_contents(maps):
    """The JSON text with one entry a line, so that diffs show which entries changed."""
    blocks = []
    for name, entries in maps.items():
        lines = ",\n".join("   " + json.dumps(e) for e in entries)
        blocks.append(f"  {json.dumps(name)}: [\n{lines}\n  ]")
    return '{\n "maps": {\n' + ",\n".join(blocks) + "\n }\n}\n"


def main():
    for program, maps in [("xdp_router_ipv4", router_maps()),
                          ("xdp_tunnel_ipip", tunnel_maps()),
                          ("xdp_load_balancer", load_balancer_maps())]:
        path = HERE / f"{program}.maps.json"
        path.write_text(format_contents(maps))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
