// TetherSync: conflict-free versioning, the wire protocol, RealtimeBinder and fixture replay.
@_exported public import TetherJSON
@_exported public import TetherModel
