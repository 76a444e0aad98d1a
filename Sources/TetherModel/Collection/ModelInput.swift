/// One element of a collection `set`/`add` call that mixes raw attributes and model instances
/// (Backbone accepts both in one array).
public enum ModelInput {
    /// Raw attributes: merged into the member with the same id, or made into a new model.
    case attributes(JSONObject)
    /// A model instance: merged from (if another instance has its id) or added as is.
    case model(SyncModel)
}
