/**
 * The mapping between external ids (user_id, service_id) and the dense 0-based ints models work on.
 * Dense ids are assigned in first-seen order, so an index built from the same rows is the same index.
 */
export class IdIndex {
  readonly #byId = new Map<string, number>();
  readonly #ids: string[] = [];

  static from(ids: Iterable<string>): IdIndex {
    const index = new IdIndex();
    for (const id of ids) index.add(id);
    return index;
  }

  /** The dense id of `id`, adding it when new. */
  add(id: string): number {
    let dense = this.#byId.get(id);
    if (dense === undefined) {
      dense = this.#ids.length;
      this.#byId.set(id, dense);
      this.#ids.push(id);
    }
    return dense;
  }

  /** The dense id, or undefined for an id the index has never seen. */
  get(id: string): number | undefined {
    return this.#byId.get(id);
  }

  /** The external id of a dense id. */
  externalId(dense: number): string {
    const id = this.#ids[dense];
    if (id === undefined) throw new RangeError(`dense id ${dense} is outside 0..${this.#ids.length - 1}`);
    return id;
  }

  get size(): number {
    return this.#ids.length;
  }

  /** External ids in dense order (for artifacts). */
  toArray(): readonly string[] {
    return this.#ids;
  }
}
