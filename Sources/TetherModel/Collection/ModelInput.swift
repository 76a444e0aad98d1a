/// One element of a collection `set`/`add`: raw attributes or an existing model instance.
enum ModelInput {
    case attributes(JSONObject)
    case model(SyncModel)
}
