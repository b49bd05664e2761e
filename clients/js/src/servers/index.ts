export * from "./eligibility";
export * from "./fetch-servers";
export * from "./reputation";
