"""LocalSphere: the management APIs of a VMware private cloud over one shared, persistent world."""

__version__ = "0.1.0"
