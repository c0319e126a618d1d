"""A real one-node Kubernetes on this machine: real Pods from the chart, behind a real Ingress controller.

The node lives in network and mount namespaces of its own (`namespaces.py`), so nothing it does
reaches the host: its addresses, routes and nftables rules, its containerd, and the kernel tunables
the kubelet insists on (bind-mounted files inside the node's mount namespace, never the host's
/proc/sys). In there run the control plane (tickethub.stack.control_plane, placed in the namespaces),
containerd with runc and the bridge CNI (`containerd.py`), the kubelet and kube-proxy in nftables mode
(`kubelet.py`); CoreDNS and Traefik run as Pods (`addons.py`), from images made here (`oci.py`). This
machine reaches the node through a veth pair, and the Ingress through a loopback port (`forward.py`).
`cluster.py` puts it together: `make cluster`.
"""
