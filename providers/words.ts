/** The shape of each provider kind's DR words (providers/<kind>/words.ts), read by `ccr-dr plan` through the registry. */

/** One planned step of a resource, as the engine reports it. */
export interface PlannedStep {
  /** Pulumi's step: create, update, delete, replace, … */
  op: string;
  /** Resource name (the index for FollowerIndex and WriteFence). */
  name: string;
  /** The site whose stack plans the step. */
  site: string;
  /** `<remote cluster>:<leader index>` when the resource's inputs name a leader index. */
  leader: string | undefined;
}

/** The step in DR words ("promote X on clusterB: …"); `undefined` for steps an operator need not read. */
export type Words = (step: PlannedStep) => string | undefined;
