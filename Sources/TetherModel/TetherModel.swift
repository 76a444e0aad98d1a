// TetherModel: Backbone-faithful Events, SyncModel and SyncCollection.
//
// Attributes are JSON values, so the JSON layer is part of this module's API.
@_exported public import TetherJSON
