/// A storage call inside a job: a failure stops the job with an internal error that names it.
func storageStep<T>(_ body: () async throws -> T) async throws(PipelineError) -> T {
    do {
        return try await body()
    } catch {
        throw PipelineError(.internal, String(describing: error))
    }
}
