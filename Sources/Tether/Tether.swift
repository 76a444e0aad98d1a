// Tether: live Backbone-style models for Swift. `import Tether` brings in every layer.
@_exported public import TetherJSON
@_exported public import TetherModel
@_exported public import TetherSync
@_exported public import TetherTransports
