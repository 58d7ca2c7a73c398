/// A storage call inside a job: a failure stops the job with an internal error that names it; a
/// `PipelineError` the body throws (a refusal it decided) passes through as it is.
func storageStep<T>(_ body: () async throws -> T) async throws(PipelineError) -> T {
    do {
        return try await body()
    } catch let error as PipelineError {
        throw error
    } catch {
        throw PipelineError(.internal, String(describing: error))
    }
}
