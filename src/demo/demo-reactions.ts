/** How the demo's residents react to posts (shares per member and post); `zhimi sim --reactions` uses the same. */
export const DEMO_REACTIONS = { reply: 0.03, mention: 0.015, question: 0.01, keyword: 0.05, click: 0.04 } as const;
